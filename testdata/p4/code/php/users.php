<?php
function find_user( PDO $pdo ) {
	$rows = $pdo->query( "SELECT * FROM users WHERE email = '" . $_GET['email'] . "'" );
	$stmt = $pdo->prepare( 'SELECT * FROM users WHERE id = ?' ); $stmt->execute( array( $_GET['id'] ) );
	return array( $rows, $stmt );
}

function user_votes( $post_id ) {
	global $wpdb;
	$wpdb->query( "DELETE FROM {$wpdb->prefix}votes WHERE post_id = $post_id" );
	return $wpdb->get_results( $wpdb->prepare( "SELECT * FROM {$wpdb->prefix}votes WHERE post_id = %d", $post_id ) );
}

function register( $password ) {
	$legacy = md5( $password );
	$hash   = password_hash( $password, PASSWORD_DEFAULT );
	return array( $legacy, $hash );
}

function new_api_token() {
	$token = md5( uniqid( rand(), true ) );
	return $token;
}

function new_session_secret() {
	return bin2hex( random_bytes( 32 ) );
}

function encrypt_card( $data, $key ) {
	$iv = '1234567890123456';
	return openssl_encrypt( $data, 'aes-128-ecb', $key, OPENSSL_RAW_DATA );
}

function encrypt_note( $data, $key ) {
	$iv = random_bytes( openssl_cipher_iv_length( 'aes-256-gcm' ) );
	return openssl_encrypt( $data, 'aes-256-gcm', $key, 0, $iv, $tag );
}

function legacy_decrypt( $blob, $key ) {
	return mcrypt_decrypt( MCRYPT_RIJNDAEL_128, $key, $blob, MCRYPT_MODE_CBC );
}

function scramble( $data, $key ) {
	$out = '';
	for ( $i = 0; $i < strlen( $data ); $i++ ) {
		$out .= chr( ord( $data[ $i ] ) ^ ord( $key[ $i % strlen( $key ) ] ) );
	}
	return $out;
}
