package pii

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
)

var (
	benchOnce sync.Once
	benchDump []byte
)

// generatedDump builds a WooCommerce-shaped mysqldump of about size bytes: extended
// INSERTs of users, user meta, orders and post content, the mix a real shop dump has
// (most bytes are ids, dates, serialized PHP and HTML, a minority personal data).
func generatedDump(size int) []byte {
	r := rand.New(rand.NewPCG(1, 2))
	first := []string{"jan", "anna", "pieter", "marie", "lukas", "sophie", "tom", "emma", "noah", "julia"}
	last := []string{"devries", "schmidt", "bakker", "dupont", "mueller", "jansen", "martin", "smith", "rossi", "visser"}
	domains := []string{"gmail.com", "outlook.com", "web.de", "orange.fr", "ziggo.nl", "yahoo.co.uk", "gmx.de", "kpnmail.nl"}
	var b bytes.Buffer
	b.WriteString("-- MySQL dump 10.13  Distrib 8.0.36, for Linux (x86_64)\n--\n-- Host: localhost    Database: shop\n\n")
	b.WriteString("CREATE TABLE `wp_users` (`ID` bigint, `user_login` varchar(60), `user_pass` varchar(255), `user_email` varchar(100), `user_registered` datetime, `display_name` varchar(250));\n")
	b.WriteString("CREATE TABLE `wp_usermeta` (`umeta_id` bigint, `user_id` bigint, `meta_key` varchar(255), `meta_value` longtext);\n")
	b.WriteString("CREATE TABLE `wp_posts` (`ID` bigint, `post_author` bigint, `post_date` datetime, `post_content` longtext, `post_title` text, `post_type` varchar(20));\n")
	id := 0
	for b.Len() < size {
		b.WriteString("INSERT INTO `wp_users` VALUES ")
		for i := 0; i < 200; i++ {
			id++
			f, l, d := first[r.IntN(len(first))], last[r.IntN(len(last))], domains[r.IntN(len(domains))]
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, "(%d,'%s%d','$wp$2y$10$%s','%s.%s%d@%s','2024-%02d-%02d %02d:%02d:00','%s %s')",
				id, f, id, strings.Repeat("aB3./", 10)+"xyz", f, l, id, d, 1+r.IntN(12), 1+r.IntN(28), r.IntN(24), r.IntN(60), f, l)
		}
		b.WriteString(";\nINSERT INTO `wp_usermeta` VALUES ")
		for i := 0; i < 200; i++ {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, "(%d,%d,'billing_phone','+31 6 %04d %04d'),(%d,%d,'billing_address_1','Keizersgracht %d'),(%d,%d,'billing_postcode','10%02d AB'),(%d,%d,'session_tokens','a:1:{s:64:\"%x\";a:4:{s:10:\"expiration\";i:%d;s:2:\"ip\";s:12:\"10.0.%d.%d\";}}')",
				4*i, id-i, r.IntN(10000), r.IntN(10000), 4*i+1, id-i, 1+r.IntN(400), 4*i+2, id-i, r.IntN(100), 4*i+3, id-i, r.Uint64(), 1700000000+r.IntN(1e7), r.IntN(255), r.IntN(255))
		}
		b.WriteString(";\nINSERT INTO `wp_posts` VALUES ")
		for i := 0; i < 100; i++ {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, "(%d,1,'2024-03-%02d 10:00:00','<!-- wp:paragraph --><p>Version 2.%d.%d released on 2024-03-%02d. Order #%d shipped; see https://shop.example.com/p/%d for details and our FAQ.</p><!-- /wp:paragraph -->','Post %d','post')",
				id*10+i, 1+r.IntN(28), r.IntN(10), r.IntN(10), 1+r.IntN(28), r.IntN(1e6), i, i)
		}
		b.WriteString(";\n")
	}
	return b.Bytes()
}

// BenchmarkScanDump measures end-to-end detector throughput on a 50 MB WooCommerce dump:
// SQL tokenising, attribution and every detector. go test -bench ScanDump -benchtime 3x
// ./internal/pii reports MB/s.
func BenchmarkScanDump(b *testing.B) {
	benchOnce.Do(func() { benchDump = generatedDump(50 << 20) })
	b.SetBytes(int64(len(benchDump)))
	b.ResetTimer()
	for b.Loop() {
		n := 0
		_, err := ScanDocument(bytes.NewReader(benchDump), FormatSQL, func(m Match, _ []byte) {
			if m.Confidence >= Medium {
				n++
			}
		})
		if err != nil || n == 0 {
			b.Fatalf("n=%d err=%v", n, err)
		}
	}
}

// BenchmarkScanText is the free-text path over the same bytes (a dump with an unknown
// extension, an XML export).
func BenchmarkScanText(b *testing.B) {
	benchOnce.Do(func() { benchDump = generatedDump(50 << 20) })
	b.SetBytes(int64(len(benchDump)))
	b.ResetTimer()
	for b.Loop() {
		if _, err := ScanDocument(bytes.NewReader(benchDump), FormatText, func(Match, []byte) {}); err != nil {
			b.Fatal(err)
		}
	}
}
