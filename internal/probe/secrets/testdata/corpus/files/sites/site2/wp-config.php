<?php
define( 'DB_NAME', 'site2' );
define( 'DB_USER', 'wp' );
define( 'DB_PASSWORD', 'BHHVivqdwm038*RF' );
define( 'DB_HOST', 'localhost' );
define( 'AUTH_KEY', '8Itp2yI9v0b6UvO+1p|cMR7TO&|;RkWHP[S[O;tEdQy,4gW;]?115.Fzr;61~{_F' );
define( 'SECURE_AUTH_KEY', 'w&ruSxCm_)9{yRyKKIH.Ssj(k,%@4P{cVg+iD3Y-+U~z<RO>uic7NOAyrpy^&Q_0' );
define( 'LOGGED_IN_KEY', '6f=,V&:pZ1Y,h(h;J&cN@/P!VLv0#+K)L-6+xeqVcT_&apLe#i{=~FHTZ2-77B.S' );
define( 'NONCE_KEY', '>o)i!v&TfjSS:N]v~LTtF[@p}-W,-#:xA2xX8@,v@m+M2lYcB@Yx}Rm*d8%cR0HK' );
define( 'AUTH_SALT', 'put your unique phrase here' );
