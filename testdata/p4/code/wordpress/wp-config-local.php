<?php
// Local development: copy of production, pointed at... production.
define( 'DB_NAME', 'shop' );
define( 'DB_USER', 'shop_dev' );
define( 'DB_HOST', 'shop-prod.c9akciq32xyz.eu-west-1.rds.amazonaws.com' );
define( 'WP_DEBUG', true );
define( 'DISALLOW_FILE_MODS', true );
define( 'FORCE_SSL_ADMIN', true );
