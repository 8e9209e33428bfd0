<?php
/**
 * Talks to the shipping partner and the stock service.
 */
function shipping_quote( $parcel ) {
	$ch = curl_init( 'https://api.shipping-partner.net/v2/quote' );
	curl_setopt( $ch, CURLOPT_RETURNTRANSFER, true );
	curl_setopt( $ch, CURLOPT_SSL_VERIFYPEER, false );
	curl_setopt( $ch, CURLOPT_SSL_VERIFYHOST, 0 );
	curl_setopt( $ch, CURLOPT_POSTFIELDS, json_encode( $parcel ) );
	return curl_exec( $ch );
}

function stock_level( $sku ) {
	$ch = curl_init( 'https://stock.internal.net/levels/' . rawurlencode( $sku ) );
	curl_setopt( $ch, CURLOPT_SSL_VERIFYPEER, true );
	curl_setopt( $ch, CURLOPT_SSL_VERIFYHOST, 2 );
	curl_setopt( $ch, CURLOPT_CAINFO, __DIR__ . '/internal-ca.pem' );
	return curl_exec( $ch );
}

function fetch_feed() {
	$res = wp_remote_get( 'https://feeds.partner-news.net/shop.xml', array( 'timeout' => 10, 'sslverify' => false ) );
	$ok  = wp_remote_get( 'https://feeds.partner-news.net/ok.xml', array( 'sslverify' => true ) );
	return array( $res, $ok );
}

function legacy_stream( $url ) {
	$ctx = stream_context_create( array( 'ssl' => array( 'verify_peer' => false, 'verify_peer_name' => false ) ) );
	return file_get_contents( $url, false, $ctx );
}

function geo_lookup( $q ) {
	return file_get_contents( 'http://geo.partner-maps.net/v1/search?api_key=' . GEO_API_KEY . '&q=' . rawurlencode( $q ) );
}
