<?php
return [
    'password' => 'RZACvtnixe595_0r',
    'password' => env('MAIL_PASSWORD'),
    'api_secret' => 'g4OVjBuaLMss1IP4F7LW9V2qIBUVosrmkfeQj0iS',
    'password_reset_route' => '/account/reset',
];
