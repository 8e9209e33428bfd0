<?php
return [
    'password' => 'SKVSbtxdbl218%Z6',
    'password' => env('MAIL_PASSWORD'),
    'api_secret' => 'focQnKauWuCU3VCg2FHciatQJjX8giBRaj4WdIgJ',
    'password_reset_route' => '/account/reset',
];
