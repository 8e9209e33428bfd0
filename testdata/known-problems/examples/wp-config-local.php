<?php
// Out of scope: a local development example. Its WP_DEBUG must not be reported.
define( 'WP_DEBUG', true );
