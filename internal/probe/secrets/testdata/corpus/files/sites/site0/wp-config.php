<?php
define( 'DB_NAME', 'site0' );
define( 'DB_USER', 'wp' );
define( 'DB_PASSWORD', 'KVRFvfxsbn343@KY' );
define( 'DB_HOST', 'localhost' );
define( 'AUTH_KEY', '/;}][po,>]U4/:AFu[9D6;s#F.9&jQe?fBC655Z5BQr+Ees?DQZ;,Xm%f.donEq2' );
define( 'SECURE_AUTH_KEY', '9-&rM#.W,n795*Q|1Dn@?{g]N7xF[y>l^zUrNbuM<x-z2H^7^sK^w-*0._B28?@<' );
define( 'LOGGED_IN_KEY', 'Yc.(0BlFZ2VFl2-y+QV0o%UV4X(Q~SSP=^<fW-K3WO@)()WRIP:PI/|(*~Si4u(2' );
define( 'NONCE_KEY', '45=?QL^RMrXEHFQ@6O@ksDJ,WJgmWZ%_ZI%2ALmasP45d&8a_px}:1|^DrCP]NBm' );
define( 'AUTH_SALT', 'put your unique phrase here' );
