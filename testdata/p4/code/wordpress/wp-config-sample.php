<?php
define( 'DB_HOST', 'db.production.example' );
