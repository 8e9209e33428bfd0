<?php
define( 'DB_NAME', 'site3' );
define( 'DB_USER', 'wp' );
define( 'DB_PASSWORD', 'FMKEvrwdxk921_8l' );
define( 'DB_HOST', 'localhost' );
define( 'AUTH_KEY', '?aM4kgLDC#.JQHL#>*odN,)DaZs-#LEh,pgFt%#QJlrrRjy&/2!L6yrwNMnE!GS{' );
define( 'SECURE_AUTH_KEY', '%}+N.xtY08^Z>p)t1(h%KSUU2p_F[okiqjumyK]sdIVr^W5N)>tqVP)o<,zMOfPI' );
define( 'LOGGED_IN_KEY', '~mr.7*s41>XiJ[R@1lu1xz@1}B}4.l&i0ZZ4!r=(BQlORpSsU9D]cykeBrhpv^A{' );
define( 'NONCE_KEY', 'z4!s[>nXm@Ky8L=C8[HZC{TEc_0o#Voli.!]fMM5X[:9RXD7_i6+bS~Pu*(.rtXK' );
define( 'AUTH_SALT', 'put your unique phrase here' );
