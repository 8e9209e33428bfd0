<?php
// Back-office tools. Access used to be limited to the office network.
$office_ips = array( '203.0.113.10', '203.0.113.11' );

error_log( 'admin page requested from ' . $_SERVER['REMOTE_ADDR'] );

if ( ! in_array( $_SERVER['REMOTE_ADDR'], $office_ips, true ) ) {
	header( 'HTTP/1.1 403 Forbidden' );
	exit;
}

if ( isset( $_POST['formula'] ) ) {
	$price = eval( 'return ' . $_POST['formula'] . ';' );
}

if ( isset( $_GET['host'] ) ) {
	echo shell_exec( 'ping -c 1 ' . $_GET['host'] );
	system( 'traceroute ' . escapeshellarg( $_GET['host'] ) );
}
