<?php
define( 'DB_NAME', 'shop' );
define( 'DB_HOST', 'shop-staging.c9akciq32xyz.eu-west-1.rds.amazonaws.com' );
define( 'DISALLOW_FILE_MODS', true );
define( 'FORCE_SSL_ADMIN', true );
