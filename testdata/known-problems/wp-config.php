<?php
/**
 * Site configuration. Deliberately weak: posture's test fixture.
 */
define( 'DB_NAME', 'site' );
define( 'DB_HOST', 'localhost' );
define( 'DB_PASSWORD', 'Vq8#nLr2Tx9!mWk4' ); // fixture value, never a real credential

// define( 'DISALLOW_FILE_EDIT', true );  -- commented out, so not in force

define( 'FORCE_SSL_ADMIN', false );
define( 'WP_DEBUG', true );

$table_prefix = 'wp_';

if ( ! defined( 'ABSPATH' ) ) {
	define( 'ABSPATH', __DIR__ . '/' );
}
require_once ABSPATH . 'wp-settings.php';
