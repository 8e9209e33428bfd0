package wpgen

import (
	"fmt"
	"strings"
)

// col is one column: its name and its MySQL type as WordPress and WooCommerce declare it.
type col struct{ name, typ string }

type table struct {
	name string
	cols []col
	pk   string
	// unique lists UNIQUE KEY columns.
	unique []string
}

// tables follow wp-admin/includes/schema.php (WordPress 6.x) and WooCommerce 8/9's HPOS
// tables (OrdersTableDataStore::get_database_schema) and analytics customer lookup.
var tables = []table{
	{"wp_users", []col{{"ID", "bigint(20) unsigned NOT NULL"}, {"user_login", "varchar(60) NOT NULL DEFAULT ''"}, {"user_pass", "varchar(255) NOT NULL DEFAULT ''"},
		{"user_nicename", "varchar(50) NOT NULL DEFAULT ''"}, {"user_email", "varchar(100) NOT NULL DEFAULT ''"}, {"user_url", "varchar(100) NOT NULL DEFAULT ''"},
		{"user_registered", "datetime NOT NULL"}, {"user_activation_key", "varchar(255) NOT NULL DEFAULT ''"},
		{"user_status", "int(11) NOT NULL DEFAULT 0"}, {"display_name", "varchar(250) NOT NULL DEFAULT ''"}}, "ID", []string{"user_email"}},
	{"wp_usermeta", []col{{"umeta_id", "bigint(20) unsigned NOT NULL"}, {"user_id", "bigint(20) unsigned NOT NULL DEFAULT 0"}, {"meta_key", "varchar(255) DEFAULT NULL"}, {"meta_value", "longtext"}}, "umeta_id", nil},
	{"wp_posts", []col{{"ID", "bigint(20) unsigned NOT NULL"}, {"post_author", "bigint(20) unsigned NOT NULL DEFAULT 0"}, {"post_date", "datetime NOT NULL"},
		{"post_date_gmt", "datetime NOT NULL"}, {"post_content", "longtext NOT NULL"}, {"post_title", "text NOT NULL"}, {"post_excerpt", "text NOT NULL"},
		{"post_status", "varchar(20) NOT NULL DEFAULT 'publish'"}, {"comment_status", "varchar(20) NOT NULL DEFAULT 'open'"}, {"ping_status", "varchar(20) NOT NULL DEFAULT 'open'"},
		{"post_password", "varchar(255) NOT NULL DEFAULT ''"}, {"post_name", "varchar(200) NOT NULL DEFAULT ''"}, {"to_ping", "text NOT NULL"}, {"pinged", "text NOT NULL"},
		{"post_modified", "datetime NOT NULL"}, {"post_modified_gmt", "datetime NOT NULL"}, {"post_content_filtered", "longtext NOT NULL"},
		{"post_parent", "bigint(20) unsigned NOT NULL DEFAULT 0"}, {"guid", "varchar(255) NOT NULL DEFAULT ''"}, {"menu_order", "int(11) NOT NULL DEFAULT 0"},
		{"post_type", "varchar(20) NOT NULL DEFAULT 'post'"}, {"post_mime_type", "varchar(100) NOT NULL DEFAULT ''"}, {"comment_count", "bigint(20) NOT NULL DEFAULT 0"}}, "ID", nil},
	{"wp_postmeta", []col{{"meta_id", "bigint(20) unsigned NOT NULL"}, {"post_id", "bigint(20) unsigned NOT NULL DEFAULT 0"}, {"meta_key", "varchar(255) DEFAULT NULL"}, {"meta_value", "longtext"}}, "meta_id", nil},
	{"wp_comments", []col{{"comment_ID", "bigint(20) unsigned NOT NULL"}, {"comment_post_ID", "bigint(20) unsigned NOT NULL DEFAULT 0"}, {"comment_author", "tinytext NOT NULL"},
		{"comment_author_email", "varchar(100) NOT NULL DEFAULT ''"}, {"comment_author_url", "varchar(200) NOT NULL DEFAULT ''"}, {"comment_author_IP", "varchar(100) NOT NULL DEFAULT ''"},
		{"comment_date", "datetime NOT NULL"}, {"comment_date_gmt", "datetime NOT NULL"}, {"comment_content", "text NOT NULL"}, {"comment_karma", "int(11) NOT NULL DEFAULT 0"},
		{"comment_approved", "varchar(20) NOT NULL DEFAULT '1'"}, {"comment_agent", "varchar(255) NOT NULL DEFAULT ''"}, {"comment_type", "varchar(20) NOT NULL DEFAULT 'comment'"},
		{"comment_parent", "bigint(20) unsigned NOT NULL DEFAULT 0"}, {"user_id", "bigint(20) unsigned NOT NULL DEFAULT 0"}}, "comment_ID", nil},
	{"wp_options", []col{{"option_id", "bigint(20) unsigned NOT NULL"}, {"option_name", "varchar(191) NOT NULL DEFAULT ''"}, {"option_value", "longtext NOT NULL"}, {"autoload", "varchar(20) NOT NULL DEFAULT 'yes'"}}, "option_id", []string{"option_name"}},
	{"wp_signups", []col{{"signup_id", "bigint(20) NOT NULL"}, {"domain", "varchar(200) NOT NULL DEFAULT ''"}, {"path", "varchar(100) NOT NULL DEFAULT ''"}, {"title", "longtext NOT NULL"},
		{"user_login", "varchar(60) NOT NULL DEFAULT ''"}, {"user_email", "varchar(100) NOT NULL DEFAULT ''"}, {"registered", "datetime NOT NULL"}, {"activated", "datetime NOT NULL"},
		{"active", "tinyint(1) NOT NULL DEFAULT 0"}, {"activation_key", "varchar(50) NOT NULL DEFAULT ''"}, {"meta", "longtext"}}, "signup_id", nil},
	{"wp_wc_orders", []col{{"id", "bigint(20) unsigned NOT NULL"}, {"status", "varchar(20) NULL"}, {"currency", "varchar(10) NULL"}, {"type", "varchar(20) NULL"},
		{"tax_amount", "decimal(26,8) NULL"}, {"total_amount", "decimal(26,8) NULL"}, {"customer_id", "bigint(20) unsigned NULL"}, {"billing_email", "varchar(320) NULL"},
		{"date_created_gmt", "datetime NULL"}, {"date_updated_gmt", "datetime NULL"}, {"parent_order_id", "bigint(20) unsigned NULL"}, {"payment_method", "varchar(100) NULL"},
		{"payment_method_title", "text NULL"}, {"transaction_id", "varchar(100) NULL"}, {"ip_address", "varchar(100) NULL"}, {"user_agent", "text NULL"}, {"customer_note", "text NULL"}}, "id", nil},
	{"wp_wc_order_addresses", []col{{"id", "bigint(20) unsigned NOT NULL"}, {"order_id", "bigint(20) unsigned NOT NULL"}, {"address_type", "varchar(20) NULL"},
		{"first_name", "text NULL"}, {"last_name", "text NULL"}, {"company", "text NULL"}, {"address_1", "text NULL"}, {"address_2", "text NULL"}, {"city", "text NULL"},
		{"state", "text NULL"}, {"postcode", "text NULL"}, {"country", "text NULL"}, {"email", "varchar(320) NULL"}, {"phone", "varchar(100) NULL"}}, "id", nil},
	{"wp_wc_orders_meta", []col{{"id", "bigint(20) unsigned NOT NULL"}, {"order_id", "bigint(20) unsigned NULL"}, {"meta_key", "varchar(255)"}, {"meta_value", "text NULL"}}, "id", nil},
	{"wp_wc_customer_lookup", []col{{"customer_id", "bigint(20) unsigned NOT NULL"}, {"user_id", "bigint(20) unsigned DEFAULT NULL"}, {"username", "varchar(60) DEFAULT '' NOT NULL"},
		{"first_name", "varchar(255) NOT NULL"}, {"last_name", "varchar(255) NOT NULL"}, {"email", "varchar(100) NULL DEFAULT NULL"}, {"date_last_active", "timestamp NULL DEFAULT NULL"},
		{"date_registered", "timestamp NULL DEFAULT NULL"}, {"country", "char(2) DEFAULT '' NOT NULL"}, {"postcode", "varchar(20) DEFAULT '' NOT NULL"},
		{"city", "varchar(100) DEFAULT '' NOT NULL"}, {"state", "varchar(100) DEFAULT '' NOT NULL"}}, "customer_id", []string{"user_id"}},
}

// TableNames lists the generated tables.
func TableNames() []string {
	out := make([]string, len(tables))
	for i, t := range tables {
		out[i] = t.name
	}
	return out
}

// pgType translates a MySQL column type to PostgreSQL's.
func pgType(t string) string {
	t = strings.ReplaceAll(t, " unsigned", "")
	f := strings.Fields(t)
	base := f[0]
	rest := strings.Join(f[1:], " ")
	switch {
	case strings.HasPrefix(base, "bigint"):
		base = "bigint"
	case strings.HasPrefix(base, "int"), strings.HasPrefix(base, "tinyint"):
		base = "integer"
	case base == "datetime" || base == "timestamp":
		base = "timestamp"
	case base == "longtext" || base == "tinytext" || base == "text":
		base = "text"
	case strings.HasPrefix(base, "varchar"):
		base = "character varying" + strings.TrimPrefix(base, "varchar")
	}
	return strings.TrimSpace(base + " " + rest)
}

func (g *gen) ddl(t table) string {
	var b strings.Builder
	if g.o.Postgres {
		fmt.Fprintf(&b, "CREATE TABLE %s (\n", t.name)
		for _, c := range t.cols {
			name := c.name
			if strings.ToLower(name) != name {
				name = `"` + name + `"`
			}
			fmt.Fprintf(&b, "    %s %s,\n", name, pgType(c.typ))
		}
		pk := t.pk
		if strings.ToLower(pk) != pk {
			pk = `"` + pk + `"`
		}
		fmt.Fprintf(&b, "    PRIMARY KEY (%s)", pk)
		for _, u := range t.unique {
			fmt.Fprintf(&b, ",\n    UNIQUE (%s)", u)
		}
		b.WriteString("\n);\n")
		return b.String()
	}
	fmt.Fprintf(&b, "DROP TABLE IF EXISTS `%s`;\nCREATE TABLE `%s` (\n", t.name, t.name)
	for _, c := range t.cols {
		fmt.Fprintf(&b, "  `%s` %s,\n", c.name, c.typ)
	}
	fmt.Fprintf(&b, "  PRIMARY KEY (`%s`)", t.pk)
	for _, u := range t.unique {
		fmt.Fprintf(&b, ",\n  UNIQUE KEY `%s` (`%s`)", u, u)
	}
	b.WriteString("\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;\n")
	return b.String()
}
