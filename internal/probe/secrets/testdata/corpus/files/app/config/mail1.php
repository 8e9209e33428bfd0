<?php
return [
    'password' => 'BQTQyaqybu788+ue',
    'password' => env('MAIL_PASSWORD'),
    'api_secret' => 'WeAXqnMNPkWSWJ944KNCZPfBmTobl12bIcxXLx8m',
    'password_reset_route' => '/account/reset',
];
