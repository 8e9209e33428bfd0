// Package wpgen writes a synthetic WordPress + WooCommerce database as SQL: the core and
// WooCommerce tables as WordPress and WooCommerce create them (wp-admin/includes/schema.php,
// WooCommerce's HPOS order tables and customer lookup), filled with realistic rows and
// planted personal data. The integration tests load it into MariaDB and PostgreSQL and
// dump it with the real tools; the benchmark writes it directly as a large dump.
//
// Names come from lists that share no word with the anonymiser's, so a test can check
// that no original name is left anywhere in an anonymised dump.
package wpgen

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
)

// Options size the database.
type Options struct {
	Users, Orders, Posts int
	// PostBytes is the length of each post's content.
	PostBytes int
	// Postgres writes PostgreSQL DDL and literals instead of MySQL's.
	Postgres bool
	Seed     uint64
}

// FirstNames and LastNames are the planted names.
var (
	FirstNames = []string{"Jantje", "Pieternel", "Gerrit", "Hendrika", "Willemijn", "Bartholomeus", "Anneke", "Geertruida", "Klaasje", "Marijke", "Sjoerd", "Fenneke"}
	LastNames  = []string{"Vandermeulen", "Oosterhuis", "Brinkerink", "Schimmelpenninck", "Terpstra", "Wijnaldum", "Zwartkruis", "Hoogendoorn", "Kwakernaak", "Rietveld", "Groenewegen", "Heemskerk"}
	domains    = []string{"gmail.com", "outlook.com", "web.de", "ziggo.nl", "gmx.de", "kpnmail.nl", "orange.fr", "yahoo.co.uk"}
)

// User is one planted customer.
type User struct {
	ID                 int
	Login, Email, Name string
	First, Last, Phone string
}

// UserAt is the i-th user (from 1), the same on every call with the same seed.
func UserAt(seed uint64, i int) User {
	r := rand.New(rand.NewPCG(seed, uint64(i)))
	f, l := FirstNames[r.IntN(len(FirstNames))], LastNames[r.IntN(len(LastNames))]
	return User{
		ID: i, First: f, Last: l, Name: f + " " + l,
		Login: strings.ToLower(f) + "." + strings.ToLower(l) + fmt.Sprint(i),
		Email: fmt.Sprintf("%s.%s%d@%s", strings.ToLower(f), strings.ToLower(l), i, domains[r.IntN(len(domains))]),
		Phone: fmt.Sprintf("+31 6 %04d %04d", 1000+r.IntN(9000), r.IntN(10000)),
	}
}

type gen struct {
	w   *bufio.Writer
	o   Options
	r   *rand.Rand
	err error
	// rows in the current INSERT, to break extended INSERTs like mysqldump does
	n      int
	metaID int
}

// Write writes the schema and data.
func Write(w io.Writer, o Options) error {
	g := &gen{w: bufio.NewWriterSize(w, 1<<20), o: o, r: rand.New(rand.NewPCG(o.Seed, 99))}
	if o.Postgres {
		g.printf("SET standard_conforming_strings = on;\n")
	} else {
		g.printf("-- MySQL dump 10.13 (wpgen)\n/*!40101 SET NAMES utf8mb4 */;\n/*!40014 SET @OLD_UNIQUE_CHECKS=@@UNIQUE_CHECKS, UNIQUE_CHECKS=0 */;\n")
	}
	for _, t := range tables {
		g.printf("%s", g.ddl(t))
	}
	g.users()
	g.posts()
	g.orders()
	g.options()
	if !o.Postgres {
		g.printf("/*!40014 SET UNIQUE_CHECKS=@OLD_UNIQUE_CHECKS */;\n")
	}
	if g.err != nil {
		return g.err
	}
	return g.w.Flush()
}

func (g *gen) printf(format string, args ...any) {
	if g.err == nil {
		_, g.err = fmt.Fprintf(g.w, format, args...)
	}
}

// str writes a string literal in the dialect's escaping (mysqldump escapes quotes,
// backslashes, double quotes and newlines; PostgreSQL doubles single quotes).
func (g *gen) str(s string) string {
	if g.o.Postgres {
		return "'" + strings.ReplaceAll(s, "'", "''") + "'"
	}
	var b strings.Builder
	b.WriteByte('\'')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\', '\'', '"':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case 0:
			b.WriteString(`\0`)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('\'')
	return b.String()
}

// row starts a tuple of table, opening a new INSERT every 200 rows.
func (g *gen) row(table string, vals ...any) {
	if g.n == 0 {
		g.printf("INSERT INTO %s VALUES ", g.ident(table))
	} else {
		g.printf(",")
	}
	g.printf("(")
	for i, v := range vals {
		if i > 0 {
			g.printf(",")
		}
		switch v := v.(type) {
		case string:
			g.printf("%s", g.str(v))
		case nil:
			g.printf("NULL")
		default:
			g.printf("%v", v)
		}
	}
	g.printf(")")
	g.n++
	if g.n == 200 {
		g.end()
	}
}

func (g *gen) end() {
	if g.n > 0 {
		g.printf(";\n")
		g.n = 0
	}
}

func (g *gen) ident(s string) string {
	if g.o.Postgres {
		return s
	}
	return "`" + s + "`"
}

func ser(s string) string { return fmt.Sprintf("s:%d:\"%s\";", len(s), s) }

func (g *gen) users() {
	for i := 1; i <= g.o.Users; i++ {
		u := UserAt(g.o.Seed, i)
		g.row("wp_users", i, u.Login, "$P$B"+g.token(31), strings.ReplaceAll(u.Login, ".", "-"), u.Email, "", "2024-01-02 03:04:05", "", 0, u.Name)
	}
	g.end()
	id := 0
	for i := 1; i <= g.o.Users; i++ {
		u := UserAt(g.o.Seed, i)
		meta := [][2]string{
			{"nickname", u.Login}, {"first_name", u.First}, {"last_name", u.Last},
			{"description", "Hi, I am " + u.Name + ", mail me at " + u.Email},
			{"wp_capabilities", "a:1:{s:8:\"customer\";b:1;}"},
			{"billing_first_name", u.First}, {"billing_last_name", u.Last}, {"billing_email", u.Email},
			{"billing_phone", u.Phone}, {"billing_address_1", fmt.Sprintf("Keizersgracht %d", 1+i%400)},
			{"billing_postcode", fmt.Sprintf("10%02d AB", i%100)}, {"billing_city", "Amsterdam"}, {"billing_country", "NL"},
			{"shipping_first_name", u.First}, {"shipping_last_name", u.Last},
			{"session_tokens", "a:1:{" + ser(g.token(64)) + "a:4:{" + ser("expiration") + "i:1735689600;" + ser("ip") + ser(fmt.Sprintf("84.%d.%d.%d", i%250, (i/250)%250, 1+i%200)) + ser("ua") + ser("Mozilla/5.0 (X11; Linux x86_64)") + ser("login") + "i:1735000000;}}"},
		}
		for _, m := range meta {
			id++
			g.row("wp_usermeta", id, i, m[0], m[1])
		}
	}
	g.end()
	for i := 1; i <= g.o.Users; i++ {
		u := UserAt(g.o.Seed, i)
		g.row("wp_wc_customer_lookup", i, i, u.Login, u.First, u.Last, u.Email, "2024-05-01 10:00:00", "2024-01-02 03:04:05", "NL", fmt.Sprintf("10%02d AB", i%100), "Amsterdam", "")
	}
	g.end()
	for i := 1; i <= max(1, g.o.Users/50); i++ {
		u := UserAt(g.o.Seed, 100000+i)
		g.row("wp_signups", i, "", "/", "", u.Login, u.Email, "2024-01-01 00:00:00", "2024-01-01 00:00:00", 0, g.token(16), "a:1:{"+ser("add_to_blog")+"i:1;}")
	}
	g.end()
}

func (g *gen) token(n int) string {
	const alpha = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	b := make([]byte, n)
	for i := range b {
		b[i] = alpha[g.r.IntN(len(alpha))]
	}
	return string(b)
}

var lorem = strings.Fields("lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et dolore magna aliqua ut enim ad minim veniam quis nostrud exercitation ullamco laboris")

func (g *gen) content(n int) string {
	var b strings.Builder
	b.WriteString("<!-- wp:paragraph -->\n<p>")
	for b.Len() < n {
		b.WriteString(lorem[g.r.IntN(len(lorem))])
		if g.r.IntN(12) == 0 {
			b.WriteString(".</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It's \"quoted\" \\ text")
		}
		b.WriteByte(' ')
	}
	b.WriteString("</p>\n<!-- /wp:paragraph -->")
	return b.String()
}

// PostsBase is where post IDs start; legacy orders take IDs after the posts.
const PostsBase = 1

func (g *gen) posts() {
	comment := 0
	metaID := 0
	for i := 1; i <= g.o.Posts; i++ {
		g.row("wp_posts", i, 1, "2024-02-03 04:05:06", "2024-02-03 04:05:06", g.content(g.o.PostBytes), fmt.Sprintf("Post %d", i), "", "publish", "open", "open", "", fmt.Sprintf("post-%d", i), "", "", "2024-02-03 04:05:06", "2024-02-03 04:05:06", "", 0, fmt.Sprintf("https://shop.example.com/?p=%d", i), 0, "post", "", 0)
	}
	g.end()
	for i := 1; i <= g.o.Posts; i++ {
		metaID++
		g.row("wp_postmeta", metaID, i, "_edit_last", "1")
		metaID++
		g.row("wp_postmeta", metaID, i, "_wp_page_template", "default")
	}
	g.end()
	for i := 1; i <= g.o.Posts && g.o.Users > 0; i++ {
		for k := 0; k < 2; k++ {
			comment++
			u := UserAt(g.o.Seed, 1+g.r.IntN(g.o.Users))
			g.row("wp_comments", comment, i, u.Name, u.Email, "", fmt.Sprintf("84.%d.%d.%d", g.r.IntN(250), g.r.IntN(250), 1+g.r.IntN(250)), "2024-03-01 10:00:00", "2024-03-01 10:00:00", "Great post! Call me on "+u.Phone+" or write to "+u.Email, 0, "1", "Mozilla/5.0 (Windows NT 10.0)", "comment", 0, u.ID)
		}
	}
	g.end()
	g.metaID = metaID
}

func (g *gen) orders() {
	half := g.o.Orders / 2
	addr := 0
	ometa := 0
	for i := 1; i <= half; i++ {
		oid := 1000000 + i
		u := g.customer(i)
		g.row("wp_wc_orders", oid, "wc-completed", "EUR", "shop_order", "3.47", "19.99", u.ID, u.Email, "2024-04-01 12:00:00", "2024-04-01 12:00:00", 0, "bacs", "Direct bank transfer", "", fmt.Sprintf("84.1.%d.%d", i%250, 1+i%200), "Mozilla/5.0 (iPhone)", "Please ring twice, "+u.Phone)
	}
	g.end()
	for i := 1; i <= half; i++ {
		oid := 1000000 + i
		u := g.customer(i)
		for _, typ := range []string{"billing", "shipping"} {
			addr++
			g.row("wp_wc_order_addresses", addr, oid, typ, u.First, u.Last, "", fmt.Sprintf("Keizersgracht %d", 1+i%400), "", "Amsterdam", "", fmt.Sprintf("10%02d AB", i%100), "NL", u.Email, u.Phone)
		}
	}
	g.end()
	for i := 1; i <= half; i++ {
		oid := 1000000 + i
		u := g.customer(i)
		for _, m := range [][2]string{{"_billing_address_index", u.First + " " + u.Last + " Keizersgracht 1 Amsterdam 1011 AB NL " + u.Email + " " + u.Phone}, {"is_vat_exempt", "no"}, {"_wc_order_attribution_session_entry", "https://shop.example.com/"}} {
			ometa++
			g.row("wp_wc_orders_meta", ometa, oid, m[0], m[1])
		}
	}
	g.end()
	// Legacy orders: shop_order posts and their meta.
	base := g.o.Posts + 10
	for i := half + 1; i <= g.o.Orders; i++ {
		pid := base + i
		g.row("wp_posts", pid, 1, "2024-04-02 12:00:00", "2024-04-02 12:00:00", "", "Order", "", "wc-processing", "open", "closed", "wc_order_"+g.token(13), "order", "", "", "2024-04-02 12:00:00", "2024-04-02 12:00:00", "", 0, "", 0, "shop_order", "", 1)
	}
	g.end()
	for i := half + 1; i <= g.o.Orders; i++ {
		pid := base + i
		u := g.customer(i)
		for _, m := range [][2]string{
			{"_customer_user", fmt.Sprint(u.ID)}, {"_billing_email", u.Email}, {"_billing_first_name", u.First}, {"_billing_last_name", u.Last},
			{"_billing_phone", u.Phone}, {"_billing_address_1", fmt.Sprintf("Keizersgracht %d", 1+i%400)}, {"_billing_postcode", fmt.Sprintf("10%02d AB", i%100)},
			{"_customer_ip_address", fmt.Sprintf("84.2.%d.%d", i%250, 1+i%200)}, {"_order_total", "19.99"},
			{"_shipping_address_index", u.First + " " + u.Last + " Keizersgracht 1 Amsterdam " + u.Email},
			{"_order_stock_reduced", "yes"}, {"_payment_tokens", "a:0:{}"},
		} {
			g.metaID++
			g.row("wp_postmeta", g.metaID, pid, m[0], m[1])
		}
	}
	g.end()
}

// customer is the user who placed order i; every fifth order is a guest's (user 0) with an
// address of their own.
func (g *gen) customer(i int) User {
	if i%5 == 0 || g.o.Users == 0 {
		u := UserAt(g.o.Seed, 200000+i)
		u.ID = 0
		return u
	}
	return UserAt(g.o.Seed, 1+i%g.o.Users)
}

func (g *gen) options() {
	admin := UserAt(g.o.Seed, 1)
	opts := [][2]string{
		{"siteurl", "https://shop.example.com"}, {"blogname", "Shop"}, {"admin_email", "owner." + strings.ToLower(admin.Last) + "@ziggo.nl"},
		{"widget_text", "a:2:{i:2;a:3:{" + ser("title") + ser("Contact") + ser("text") + ser("Mail "+admin.Email) + ser("filter") + "b:1;}" + ser("_multiwidget") + "i:1;}"},
		{"woocommerce_store_address", "Keizersgracht 1"},
		{"_transient_wc_report", `{"customer":{"email":"` + admin.Email + `","name":"` + admin.Name + `"},"total":12}`},
	}
	for i, o := range opts {
		g.row("wp_options", i+1, o[0], o[1], "yes")
	}
	g.end()
}
