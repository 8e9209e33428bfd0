-- MySQL dump 10.13 (wpgen)
/*!40101 SET NAMES utf8mb4 */;
/*!40014 SET @OLD_UNIQUE_CHECKS=@@UNIQUE_CHECKS, UNIQUE_CHECKS=0 */;
DROP TABLE IF EXISTS `wp_users`;
CREATE TABLE `wp_users` (
  `ID` bigint(20) unsigned NOT NULL,
  `user_login` varchar(60) NOT NULL DEFAULT '',
  `user_pass` varchar(255) NOT NULL DEFAULT '',
  `user_nicename` varchar(50) NOT NULL DEFAULT '',
  `user_email` varchar(100) NOT NULL DEFAULT '',
  `user_url` varchar(100) NOT NULL DEFAULT '',
  `user_registered` datetime NOT NULL,
  `user_activation_key` varchar(255) NOT NULL DEFAULT '',
  `user_status` int(11) NOT NULL DEFAULT 0,
  `display_name` varchar(250) NOT NULL DEFAULT '',
  PRIMARY KEY (`ID`),
  UNIQUE KEY `user_email` (`user_email`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
DROP TABLE IF EXISTS `wp_usermeta`;
CREATE TABLE `wp_usermeta` (
  `umeta_id` bigint(20) unsigned NOT NULL,
  `user_id` bigint(20) unsigned NOT NULL DEFAULT 0,
  `meta_key` varchar(255) DEFAULT NULL,
  `meta_value` longtext,
  PRIMARY KEY (`umeta_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
DROP TABLE IF EXISTS `wp_posts`;
CREATE TABLE `wp_posts` (
  `ID` bigint(20) unsigned NOT NULL,
  `post_author` bigint(20) unsigned NOT NULL DEFAULT 0,
  `post_date` datetime NOT NULL,
  `post_date_gmt` datetime NOT NULL,
  `post_content` longtext NOT NULL,
  `post_title` text NOT NULL,
  `post_excerpt` text NOT NULL,
  `post_status` varchar(20) NOT NULL DEFAULT 'publish',
  `comment_status` varchar(20) NOT NULL DEFAULT 'open',
  `ping_status` varchar(20) NOT NULL DEFAULT 'open',
  `post_password` varchar(255) NOT NULL DEFAULT '',
  `post_name` varchar(200) NOT NULL DEFAULT '',
  `to_ping` text NOT NULL,
  `pinged` text NOT NULL,
  `post_modified` datetime NOT NULL,
  `post_modified_gmt` datetime NOT NULL,
  `post_content_filtered` longtext NOT NULL,
  `post_parent` bigint(20) unsigned NOT NULL DEFAULT 0,
  `guid` varchar(255) NOT NULL DEFAULT '',
  `menu_order` int(11) NOT NULL DEFAULT 0,
  `post_type` varchar(20) NOT NULL DEFAULT 'post',
  `post_mime_type` varchar(100) NOT NULL DEFAULT '',
  `comment_count` bigint(20) NOT NULL DEFAULT 0,
  PRIMARY KEY (`ID`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
DROP TABLE IF EXISTS `wp_postmeta`;
CREATE TABLE `wp_postmeta` (
  `meta_id` bigint(20) unsigned NOT NULL,
  `post_id` bigint(20) unsigned NOT NULL DEFAULT 0,
  `meta_key` varchar(255) DEFAULT NULL,
  `meta_value` longtext,
  PRIMARY KEY (`meta_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
DROP TABLE IF EXISTS `wp_comments`;
CREATE TABLE `wp_comments` (
  `comment_ID` bigint(20) unsigned NOT NULL,
  `comment_post_ID` bigint(20) unsigned NOT NULL DEFAULT 0,
  `comment_author` tinytext NOT NULL,
  `comment_author_email` varchar(100) NOT NULL DEFAULT '',
  `comment_author_url` varchar(200) NOT NULL DEFAULT '',
  `comment_author_IP` varchar(100) NOT NULL DEFAULT '',
  `comment_date` datetime NOT NULL,
  `comment_date_gmt` datetime NOT NULL,
  `comment_content` text NOT NULL,
  `comment_karma` int(11) NOT NULL DEFAULT 0,
  `comment_approved` varchar(20) NOT NULL DEFAULT '1',
  `comment_agent` varchar(255) NOT NULL DEFAULT '',
  `comment_type` varchar(20) NOT NULL DEFAULT 'comment',
  `comment_parent` bigint(20) unsigned NOT NULL DEFAULT 0,
  `user_id` bigint(20) unsigned NOT NULL DEFAULT 0,
  PRIMARY KEY (`comment_ID`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
DROP TABLE IF EXISTS `wp_options`;
CREATE TABLE `wp_options` (
  `option_id` bigint(20) unsigned NOT NULL,
  `option_name` varchar(191) NOT NULL DEFAULT '',
  `option_value` longtext NOT NULL,
  `autoload` varchar(20) NOT NULL DEFAULT 'yes',
  PRIMARY KEY (`option_id`),
  UNIQUE KEY `option_name` (`option_name`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
DROP TABLE IF EXISTS `wp_signups`;
CREATE TABLE `wp_signups` (
  `signup_id` bigint(20) NOT NULL,
  `domain` varchar(200) NOT NULL DEFAULT '',
  `path` varchar(100) NOT NULL DEFAULT '',
  `title` longtext NOT NULL,
  `user_login` varchar(60) NOT NULL DEFAULT '',
  `user_email` varchar(100) NOT NULL DEFAULT '',
  `registered` datetime NOT NULL,
  `activated` datetime NOT NULL,
  `active` tinyint(1) NOT NULL DEFAULT 0,
  `activation_key` varchar(50) NOT NULL DEFAULT '',
  `meta` longtext,
  PRIMARY KEY (`signup_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
DROP TABLE IF EXISTS `wp_wc_orders`;
CREATE TABLE `wp_wc_orders` (
  `id` bigint(20) unsigned NOT NULL,
  `status` varchar(20) NULL,
  `currency` varchar(10) NULL,
  `type` varchar(20) NULL,
  `tax_amount` decimal(26,8) NULL,
  `total_amount` decimal(26,8) NULL,
  `customer_id` bigint(20) unsigned NULL,
  `billing_email` varchar(320) NULL,
  `date_created_gmt` datetime NULL,
  `date_updated_gmt` datetime NULL,
  `parent_order_id` bigint(20) unsigned NULL,
  `payment_method` varchar(100) NULL,
  `payment_method_title` text NULL,
  `transaction_id` varchar(100) NULL,
  `ip_address` varchar(100) NULL,
  `user_agent` text NULL,
  `customer_note` text NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
DROP TABLE IF EXISTS `wp_wc_order_addresses`;
CREATE TABLE `wp_wc_order_addresses` (
  `id` bigint(20) unsigned NOT NULL,
  `order_id` bigint(20) unsigned NOT NULL,
  `address_type` varchar(20) NULL,
  `first_name` text NULL,
  `last_name` text NULL,
  `company` text NULL,
  `address_1` text NULL,
  `address_2` text NULL,
  `city` text NULL,
  `state` text NULL,
  `postcode` text NULL,
  `country` text NULL,
  `email` varchar(320) NULL,
  `phone` varchar(100) NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
DROP TABLE IF EXISTS `wp_wc_orders_meta`;
CREATE TABLE `wp_wc_orders_meta` (
  `id` bigint(20) unsigned NOT NULL,
  `order_id` bigint(20) unsigned NULL,
  `meta_key` varchar(255),
  `meta_value` text NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
DROP TABLE IF EXISTS `wp_wc_customer_lookup`;
CREATE TABLE `wp_wc_customer_lookup` (
  `customer_id` bigint(20) unsigned NOT NULL,
  `user_id` bigint(20) unsigned DEFAULT NULL,
  `username` varchar(60) DEFAULT '' NOT NULL,
  `first_name` varchar(255) NOT NULL,
  `last_name` varchar(255) NOT NULL,
  `email` varchar(100) NULL DEFAULT NULL,
  `date_last_active` timestamp NULL DEFAULT NULL,
  `date_registered` timestamp NULL DEFAULT NULL,
  `country` char(2) DEFAULT '' NOT NULL,
  `postcode` varchar(20) DEFAULT '' NOT NULL,
  `city` varchar(100) DEFAULT '' NOT NULL,
  `state` varchar(100) DEFAULT '' NOT NULL,
  PRIMARY KEY (`customer_id`),
  UNIQUE KEY `user_id` (`user_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
INSERT INTO `wp_users` VALUES (1,'fenneke.oosterhuis1','$P$B8qZYpMqa/nx1oQTDiVAg9.wsoa.Comh','fenneke-oosterhuis1','fenneke.oosterhuis1@gmx.de','','2024-01-02 03:04:05','',0,'Fenneke Oosterhuis'),(2,'marijke.hoogendoorn2','$P$BT2/6DlLkcRD.yzWxz65nk16payntj0R','marijke-hoogendoorn2','marijke.hoogendoorn2@gmail.com','','2024-01-02 03:04:05','',0,'Marijke Hoogendoorn'),(3,'anneke.kwakernaak3','$P$BYFCTKQSub7Sx1MEik3.4Y1w.HHdFaM7','anneke-kwakernaak3','anneke.kwakernaak3@gmail.com','','2024-01-02 03:04:05','',0,'Anneke Kwakernaak'),(4,'pieternel.brinkerink4','$P$By/aq9hFUtGhPtc72dBV.0GK.nb3rdxR','pieternel-brinkerink4','pieternel.brinkerink4@kpnmail.nl','','2024-01-02 03:04:05','',0,'Pieternel Brinkerink');
INSERT INTO `wp_usermeta` VALUES (1,1,'nickname','fenneke.oosterhuis1'),(2,1,'first_name','Fenneke'),(3,1,'last_name','Oosterhuis'),(4,1,'description','Hi, I am Fenneke Oosterhuis, mail me at fenneke.oosterhuis1@gmx.de'),(5,1,'wp_capabilities','a:1:{s:8:\"customer\";b:1;}'),(6,1,'billing_first_name','Fenneke'),(7,1,'billing_last_name','Oosterhuis'),(8,1,'billing_email','fenneke.oosterhuis1@gmx.de'),(9,1,'billing_phone','+31 6 9216 2853'),(10,1,'billing_address_1','Keizersgracht 2'),(11,1,'billing_postcode','1001 AB'),(12,1,'billing_city','Amsterdam'),(13,1,'billing_country','NL'),(14,1,'shipping_first_name','Fenneke'),(15,1,'shipping_last_name','Oosterhuis'),(16,1,'session_tokens','a:1:{s:64:\"MrgADBYEBAC3KXeXoJtYqvXGnot4M93VJcEmG/W3atdiTPrJuiDJgR6qVZE5shcH\";a:4:{s:10:\"expiration\";i:1735689600;s:2:\"ip\";s:8:\"84.1.0.2\";s:2:\"ua\";s:31:\"Mozilla/5.0 (X11; Linux x86_64)\";s:5:\"login\";i:1735000000;}}'),(17,2,'nickname','marijke.hoogendoorn2'),(18,2,'first_name','Marijke'),(19,2,'last_name','Hoogendoorn'),(20,2,'description','Hi, I am Marijke Hoogendoorn, mail me at marijke.hoogendoorn2@gmail.com'),(21,2,'wp_capabilities','a:1:{s:8:\"customer\";b:1;}'),(22,2,'billing_first_name','Marijke'),(23,2,'billing_last_name','Hoogendoorn'),(24,2,'billing_email','marijke.hoogendoorn2@gmail.com'),(25,2,'billing_phone','+31 6 8169 2342'),(26,2,'billing_address_1','Keizersgracht 3'),(27,2,'billing_postcode','1002 AB'),(28,2,'billing_city','Amsterdam'),(29,2,'billing_country','NL'),(30,2,'shipping_first_name','Marijke'),(31,2,'shipping_last_name','Hoogendoorn'),(32,2,'session_tokens','a:1:{s:64:\"5sPZMJXh/ctbIL3k7qnxRHSkHep1PVHl8.Kyx06JTA/0.Kx4OFncsNwp.oTyp6tz\";a:4:{s:10:\"expiration\";i:1735689600;s:2:\"ip\";s:8:\"84.2.0.3\";s:2:\"ua\";s:31:\"Mozilla/5.0 (X11; Linux x86_64)\";s:5:\"login\";i:1735000000;}}'),(33,3,'nickname','anneke.kwakernaak3'),(34,3,'first_name','Anneke'),(35,3,'last_name','Kwakernaak'),(36,3,'description','Hi, I am Anneke Kwakernaak, mail me at anneke.kwakernaak3@gmail.com'),(37,3,'wp_capabilities','a:1:{s:8:\"customer\";b:1;}'),(38,3,'billing_first_name','Anneke'),(39,3,'billing_last_name','Kwakernaak'),(40,3,'billing_email','anneke.kwakernaak3@gmail.com'),(41,3,'billing_phone','+31 6 9373 5666'),(42,3,'billing_address_1','Keizersgracht 4'),(43,3,'billing_postcode','1003 AB'),(44,3,'billing_city','Amsterdam'),(45,3,'billing_country','NL'),(46,3,'shipping_first_name','Anneke'),(47,3,'shipping_last_name','Kwakernaak'),(48,3,'session_tokens','a:1:{s:64:\"OgiMjNbcysp4kRuoFflk1FlhyFzJ7Uzzg8XWHHntT8NRvxRvvj8mih5/9T0heKIX\";a:4:{s:10:\"expiration\";i:1735689600;s:2:\"ip\";s:8:\"84.3.0.4\";s:2:\"ua\";s:31:\"Mozilla/5.0 (X11; Linux x86_64)\";s:5:\"login\";i:1735000000;}}'),(49,4,'nickname','pieternel.brinkerink4'),(50,4,'first_name','Pieternel'),(51,4,'last_name','Brinkerink'),(52,4,'description','Hi, I am Pieternel Brinkerink, mail me at pieternel.brinkerink4@kpnmail.nl'),(53,4,'wp_capabilities','a:1:{s:8:\"customer\";b:1;}'),(54,4,'billing_first_name','Pieternel'),(55,4,'billing_last_name','Brinkerink'),(56,4,'billing_email','pieternel.brinkerink4@kpnmail.nl'),(57,4,'billing_phone','+31 6 2774 9768'),(58,4,'billing_address_1','Keizersgracht 5'),(59,4,'billing_postcode','1004 AB'),(60,4,'billing_city','Amsterdam'),(61,4,'billing_country','NL'),(62,4,'shipping_first_name','Pieternel'),(63,4,'shipping_last_name','Brinkerink'),(64,4,'session_tokens','a:1:{s:64:\"0srX.ExC1lEsBg.cYVzsYLn89XOf4CdfJCXePSK/6LDJ.M.MuaoAn0KwTxWuSF9B\";a:4:{s:10:\"expiration\";i:1735689600;s:2:\"ip\";s:8:\"84.4.0.5\";s:2:\"ua\";s:31:\"Mozilla/5.0 (X11; Linux x86_64)\";s:5:\"login\";i:1735000000;}}');
INSERT INTO `wp_wc_customer_lookup` VALUES (1,1,'fenneke.oosterhuis1','Fenneke','Oosterhuis','fenneke.oosterhuis1@gmx.de','2024-05-01 10:00:00','2024-01-02 03:04:05','NL','1001 AB','Amsterdam',''),(2,2,'marijke.hoogendoorn2','Marijke','Hoogendoorn','marijke.hoogendoorn2@gmail.com','2024-05-01 10:00:00','2024-01-02 03:04:05','NL','1002 AB','Amsterdam',''),(3,3,'anneke.kwakernaak3','Anneke','Kwakernaak','anneke.kwakernaak3@gmail.com','2024-05-01 10:00:00','2024-01-02 03:04:05','NL','1003 AB','Amsterdam',''),(4,4,'pieternel.brinkerink4','Pieternel','Brinkerink','pieternel.brinkerink4@kpnmail.nl','2024-05-01 10:00:00','2024-01-02 03:04:05','NL','1004 AB','Amsterdam','');
INSERT INTO `wp_signups` VALUES (1,'','/','','pieternel.groenewegen100001','pieternel.groenewegen100001@orange.fr','2024-01-01 00:00:00','2024-01-01 00:00:00',0,'wvfXKaosnlGc1Kzh','a:1:{s:11:\"add_to_blog\";i:1;}');
INSERT INTO `wp_posts` VALUES (1,1,'2024-02-03 04:05:06','2024-02-03 04:05:06','<!-- wp:paragraph -->\n<p>adipiscing labore.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text ut tempor exercitation laboris incididunt laboris consectetur incididunt quis incididunt ipsum dolore exercitation.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text labore veniam sed sit ullamco.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text dolore do sed.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text minim dolore tempor veniam sed tempor.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text adipiscing ipsum sed tempor dolore et quis ut aliqua laboris.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text ut incididunt do quis laboris eiusmod aliqua eiusmod sit et.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text et dolore ipsum lorem labore.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text tempor dolore.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text consectetur.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text elit amet quis quis nostrud exercitation ipsum sed elit et elit lorem ipsum exercitation sit dolore tempor dolor tempor do aliqua laboris eiusmod.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text aliqua enim do et exercitation eiusmod veniam consectetur exercitation nostrud.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text ullamco.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text exercitation magna sit ut laboris sed.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text et ipsum lorem aliqua incididunt eiusmod laboris incididunt eiusmod ad elit tempor minim enim veniam veniam tempor dolor labore do labore dolore et quis adipiscing ut sit do elit labore sed labore exercitation elit adipiscing.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text ut.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text veniam veniam incididunt.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text ut lorem eiusmod ullamco dolore dolore quis ut exercitation dolore veniam ut incididunt laboris lorem sit.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text sit sed lorem.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text magna elit eiusmod enim aliqua lorem amet amet do incididunt magna aliqua minim veniam ullamco dolore et labore ipsum ipsum labore elit incididunt tempor.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text ut enim eiusmod minim lorem veniam ut ipsum dolore eiusmod adipiscing quis amet lorem adipiscing lorem do ut eiusmod consectetur dolor laboris veniam laboris et labore ut nostrud ipsum ad ipsum consectetur dolore enim veniam minim consectetur adipiscing.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text ullamco consectetur adipiscing magna dolore et ut nostrud quis ut laboris exercitation labore consectetur ut consectetur incididunt et minim consectetur labore enim incididunt tempor minim ad do consectetur nostrud magna ut incididunt do eiusmod.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text dolore laboris et sed adipiscing ad laboris enim amet ullamco dolore incididunt.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text dolore sit adipiscing laboris laboris nostrud ut dolor exercitation incididunt elit consectetur.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text dolor ullamco do ullamco consectetur sit magna quis ad elit.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text magna.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text ut ut dolore enim ullamco ad elit veniam laboris magna ullamco nostrud ad eiusmod exercitation </p>\n<!-- /wp:paragraph -->','Post 1','','publish','open','open','','post-1','','','2024-02-03 04:05:06','2024-02-03 04:05:06','',0,'https://shop.example.com/?p=1',0,'post','',0),(2,1,'2024-02-03 04:05:06','2024-02-03 04:05:06','<!-- wp:paragraph -->\n<p>consectetur tempor minim nostrud ad exercitation eiusmod exercitation veniam sit adipiscing ipsum ut adipiscing nostrud nostrud ullamco veniam adipiscing dolore dolore exercitation magna sed ullamco minim veniam amet incididunt dolore adipiscing ipsum veniam incididunt ad ut minim sit ullamco elit magna et incididunt tempor eiusmod ut ipsum.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text aliqua adipiscing dolor elit tempor dolore.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text sed lorem adipiscing laboris sit aliqua eiusmod sit adipiscing consectetur ad elit ipsum amet ut ullamco ad laboris ad nostrud laboris nostrud.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text exercitation et incididunt elit minim ut minim adipiscing exercitation ut ad adipiscing consectetur exercitation.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text exercitation sed ullamco sed magna ipsum nostrud dolore lorem magna quis sit lorem tempor dolor elit sit dolore eiusmod nostrud laboris lorem dolor amet consectetur magna dolore amet amet.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text enim consectetur magna et nostrud ad eiusmod.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text quis lorem ut.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text exercitation veniam nostrud lorem exercitation exercitation consectetur lorem consectetur adipiscing magna sit veniam elit do eiusmod ad nostrud exercitation enim enim elit ut tempor consectetur ad sed.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text consectetur veniam.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text ipsum elit eiusmod incididunt ullamco consectetur dolore nostrud aliqua et enim aliqua sed.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text magna ullamco aliqua aliqua incididunt magna et elit aliqua magna eiusmod labore ut nostrud veniam dolore ut lorem ut dolore veniam amet elit exercitation sed do dolore elit dolore ut amet tempor quis ipsum do aliqua lorem dolore incididunt elit labore exercitation amet et sed sed minim tempor ipsum tempor incididunt laboris incididunt amet ut ad quis laboris dolore sed dolor ad.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text veniam ut sit sit dolore consectetur et.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text consectetur consectetur quis laboris labore quis amet.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text ut amet sed lorem sit dolor lorem sed amet dolor exercitation.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text sed elit enim lorem lorem sed enim incididunt do ut aliqua veniam incididunt ut quis elit dolore ipsum ad.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text amet veniam.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text quis dolore et labore enim nostrud incididunt adipiscing ut amet dolor ipsum quis dolor ut.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text dolore amet sit amet ullamco quis et incididunt et.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text ut minim eiusmod labore elit.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text incididunt consectetur exercitation ipsum aliqua lorem amet nostrud exercitation do ad sit ut ad sed tempor adipiscing enim adipiscing incididunt labore nostrud sed do dolore enim sit.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text sit adipiscing ullamco tempor et veniam ut ad dolor quis adipiscing eiusmod dolor do consectetur ullamco do aliqua amet veniam sed ullamco ullamco labore dolore consectetur incididunt ut enim ipsum sit ullamco sed incididunt minim veniam magna do.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text </p>\n<!-- /wp:paragraph -->','Post 2','','publish','open','open','','post-2','','','2024-02-03 04:05:06','2024-02-03 04:05:06','',0,'https://shop.example.com/?p=2',0,'post','',0),(3,1,'2024-02-03 04:05:06','2024-02-03 04:05:06','<!-- wp:paragraph -->\n<p>tempor tempor ut tempor.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text dolore incididunt ut eiusmod et.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text elit ut veniam et dolor sit laboris elit veniam.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text enim amet laboris nostrud et magna quis laboris dolore lorem ullamco et dolor do do tempor consectetur.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text eiusmod.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text nostrud amet incididunt veniam.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text veniam minim ut enim ullamco tempor sed laboris do ad quis.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text magna do lorem do dolore labore ad exercitation ut veniam.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text minim et ut aliqua dolor ullamco magna do magna nostrud eiusmod consectetur et exercitation ut labore sed tempor labore elit do veniam consectetur laboris tempor et veniam magna sit eiusmod incididunt tempor adipiscing.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text enim ullamco et ut quis enim labore magna et dolor elit ut adipiscing exercitation incididunt nostrud sed magna labore.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text ipsum eiusmod tempor dolore adipiscing incididunt aliqua laboris quis tempor magna.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text enim.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text tempor elit ullamco veniam enim laboris.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text tempor elit elit quis.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text amet amet labore.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text sit tempor elit sed.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text magna ut ad adipiscing do.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text incididunt ullamco elit dolor lorem enim quis laboris elit lorem consectetur ullamco ad tempor sit sit dolore lorem ut amet quis et lorem ut dolor adipiscing.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text do et aliqua.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text dolor ad.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text tempor amet.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text tempor eiusmod do sed adipiscing amet ullamco lorem dolore.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text do sed.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text aliqua dolor ad eiusmod exercitation nostrud ullamco sed incididunt aliqua ad veniam aliqua incididunt dolor dolore dolor dolor aliqua sed.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text lorem quis ut ut sed elit dolor laboris consectetur quis ad elit exercitation sit do.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text sit dolore consectetur ipsum.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text enim ad ullamco ut aliqua laboris adipiscing do et nostrud incididunt dolore quis dolore quis amet do adipiscing sit lorem consectetur exercitation ad tempor dolor adipiscing labore veniam.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text nostrud ut.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text nostrud elit eiusmod dolore ipsum.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text elit ut laboris elit exercitation.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text labore dolore do tempor aliqua consectetur </p>\n<!-- /wp:paragraph -->','Post 3','','publish','open','open','','post-3','','','2024-02-03 04:05:06','2024-02-03 04:05:06','',0,'https://shop.example.com/?p=3',0,'post','',0),(4,1,'2024-02-03 04:05:06','2024-02-03 04:05:06','<!-- wp:paragraph -->\n<p>eiusmod enim consectetur amet nostrud laboris veniam ut veniam aliqua.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text incididunt minim tempor incididunt eiusmod dolore.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text minim ipsum exercitation ipsum enim.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text do amet ad dolore sit ut.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text et nostrud tempor sed ipsum lorem consectetur dolore ipsum ut laboris adipiscing dolor.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text lorem labore magna.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text sit adipiscing ipsum veniam dolore sit consectetur ut ut dolor labore eiusmod minim incididunt amet adipiscing tempor lorem amet minim eiusmod amet incididunt consectetur aliqua.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text ut quis ut tempor dolore magna ut.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text ut eiusmod ut ullamco minim adipiscing ipsum et ad enim labore enim.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text eiusmod ullamco ut eiusmod tempor et exercitation enim dolore aliqua ipsum et adipiscing ut.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text ipsum sit.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text dolor aliqua ad laboris aliqua sed consectetur ad veniam ut quis labore labore consectetur et sed.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text tempor sed ipsum lorem ullamco dolore dolore exercitation incididunt amet dolor tempor amet.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text et ut incididunt eiusmod sit consectetur veniam incididunt do consectetur minim laboris labore et dolore ut.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text et adipiscing adipiscing do elit.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text dolore ullamco enim ipsum ut eiusmod ut tempor et ad elit labore.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text ut dolore tempor eiusmod consectetur eiusmod lorem consectetur et quis adipiscing laboris ipsum minim amet.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text et amet labore amet enim ad enim ut et amet et incididunt sed elit ipsum aliqua amet elit do amet laboris sit ipsum ut enim minim consectetur.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text nostrud aliqua.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text magna sed do eiusmod labore do sed nostrud dolore do consectetur dolor enim amet et enim ullamco magna veniam ut ullamco minim veniam ipsum ad quis et adipiscing incididunt lorem.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text minim ut enim ad.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text dolor et dolor minim dolore dolore amet lorem dolore et et veniam lorem quis exercitation ad amet sed.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text ipsum aliqua labore ut tempor aliqua aliqua laboris ut ipsum labore amet do laboris elit enim dolore veniam et sed adipiscing exercitation et ut consectetur ipsum quis sit exercitation ipsum amet ullamco consectetur ipsum.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text ut magna quis nostrud incididunt eiusmod laboris ut nostrud laboris incididunt eiusmod ut ullamco exercitation ad nostrud do sed adipiscing dolor enim do dolore eiusmod exercitation sed et elit tempor.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text eiusmod minim laboris ut laboris labore dolore.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>It\'s \"quoted\" \\ text eiusmod </p>\n<!-- /wp:paragraph -->','Post 4','','publish','open','open','','post-4','','','2024-02-03 04:05:06','2024-02-03 04:05:06','',0,'https://shop.example.com/?p=4',0,'post','',0);
INSERT INTO `wp_postmeta` VALUES (1,1,'_edit_last','1'),(2,1,'_wp_page_template','default'),(3,2,'_edit_last','1'),(4,2,'_wp_page_template','default'),(5,3,'_edit_last','1'),(6,3,'_wp_page_template','default'),(7,4,'_edit_last','1'),(8,4,'_wp_page_template','default');
INSERT INTO `wp_comments` VALUES (1,1,'Marijke Hoogendoorn','marijke.hoogendoorn2@gmail.com','','84.71.46.202','2024-03-01 10:00:00','2024-03-01 10:00:00','Great post! Call me on +31 6 8169 2342 or write to marijke.hoogendoorn2@gmail.com',0,'1','Mozilla/5.0 (Windows NT 10.0)','comment',0,2),(2,1,'Fenneke Oosterhuis','fenneke.oosterhuis1@gmx.de','','84.97.232.34','2024-03-01 10:00:00','2024-03-01 10:00:00','Great post! Call me on +31 6 9216 2853 or write to fenneke.oosterhuis1@gmx.de',0,'1','Mozilla/5.0 (Windows NT 10.0)','comment',0,1),(3,2,'Marijke Hoogendoorn','marijke.hoogendoorn2@gmail.com','','84.100.233.39','2024-03-01 10:00:00','2024-03-01 10:00:00','Great post! Call me on +31 6 8169 2342 or write to marijke.hoogendoorn2@gmail.com',0,'1','Mozilla/5.0 (Windows NT 10.0)','comment',0,2),(4,2,'Fenneke Oosterhuis','fenneke.oosterhuis1@gmx.de','','84.179.7.43','2024-03-01 10:00:00','2024-03-01 10:00:00','Great post! Call me on +31 6 9216 2853 or write to fenneke.oosterhuis1@gmx.de',0,'1','Mozilla/5.0 (Windows NT 10.0)','comment',0,1),(5,3,'Anneke Kwakernaak','anneke.kwakernaak3@gmail.com','','84.245.41.117','2024-03-01 10:00:00','2024-03-01 10:00:00','Great post! Call me on +31 6 9373 5666 or write to anneke.kwakernaak3@gmail.com',0,'1','Mozilla/5.0 (Windows NT 10.0)','comment',0,3),(6,3,'Marijke Hoogendoorn','marijke.hoogendoorn2@gmail.com','','84.127.245.85','2024-03-01 10:00:00','2024-03-01 10:00:00','Great post! Call me on +31 6 8169 2342 or write to marijke.hoogendoorn2@gmail.com',0,'1','Mozilla/5.0 (Windows NT 10.0)','comment',0,2),(7,4,'Pieternel Brinkerink','pieternel.brinkerink4@kpnmail.nl','','84.203.100.70','2024-03-01 10:00:00','2024-03-01 10:00:00','Great post! Call me on +31 6 2774 9768 or write to pieternel.brinkerink4@kpnmail.nl',0,'1','Mozilla/5.0 (Windows NT 10.0)','comment',0,4),(8,4,'Anneke Kwakernaak','anneke.kwakernaak3@gmail.com','','84.106.114.209','2024-03-01 10:00:00','2024-03-01 10:00:00','Great post! Call me on +31 6 9373 5666 or write to anneke.kwakernaak3@gmail.com',0,'1','Mozilla/5.0 (Windows NT 10.0)','comment',0,3);
INSERT INTO `wp_wc_orders` VALUES (1000001,'wc-completed','EUR','shop_order','3.47','19.99',2,'marijke.hoogendoorn2@gmail.com','2024-04-01 12:00:00','2024-04-01 12:00:00',0,'bacs','Direct bank transfer','','84.1.1.2','Mozilla/5.0 (iPhone)','Please ring twice, +31 6 8169 2342'),(1000002,'wc-completed','EUR','shop_order','3.47','19.99',3,'anneke.kwakernaak3@gmail.com','2024-04-01 12:00:00','2024-04-01 12:00:00',0,'bacs','Direct bank transfer','','84.1.2.3','Mozilla/5.0 (iPhone)','Please ring twice, +31 6 9373 5666');
INSERT INTO `wp_wc_order_addresses` VALUES (1,1000001,'billing','Marijke','Hoogendoorn','','Keizersgracht 2','','Amsterdam','','1001 AB','NL','marijke.hoogendoorn2@gmail.com','+31 6 8169 2342'),(2,1000001,'shipping','Marijke','Hoogendoorn','','Keizersgracht 2','','Amsterdam','','1001 AB','NL','marijke.hoogendoorn2@gmail.com','+31 6 8169 2342'),(3,1000002,'billing','Anneke','Kwakernaak','','Keizersgracht 3','','Amsterdam','','1002 AB','NL','anneke.kwakernaak3@gmail.com','+31 6 9373 5666'),(4,1000002,'shipping','Anneke','Kwakernaak','','Keizersgracht 3','','Amsterdam','','1002 AB','NL','anneke.kwakernaak3@gmail.com','+31 6 9373 5666');
INSERT INTO `wp_wc_orders_meta` VALUES (1,1000001,'_billing_address_index','Marijke Hoogendoorn Keizersgracht 1 Amsterdam 1011 AB NL marijke.hoogendoorn2@gmail.com +31 6 8169 2342'),(2,1000001,'is_vat_exempt','no'),(3,1000001,'_wc_order_attribution_session_entry','https://shop.example.com/'),(4,1000002,'_billing_address_index','Anneke Kwakernaak Keizersgracht 1 Amsterdam 1011 AB NL anneke.kwakernaak3@gmail.com +31 6 9373 5666'),(5,1000002,'is_vat_exempt','no'),(6,1000002,'_wc_order_attribution_session_entry','https://shop.example.com/');
INSERT INTO `wp_posts` VALUES (17,1,'2024-04-02 12:00:00','2024-04-02 12:00:00','','Order','','wc-processing','open','closed','wc_order_KCnJ6e/7SQAxn','order','','','2024-04-02 12:00:00','2024-04-02 12:00:00','',0,'',0,'shop_order','',1),(18,1,'2024-04-02 12:00:00','2024-04-02 12:00:00','','Order','','wc-processing','open','closed','wc_order_CR7dpIvgz/w7r','order','','','2024-04-02 12:00:00','2024-04-02 12:00:00','',0,'',0,'shop_order','',1);
INSERT INTO `wp_postmeta` VALUES (9,17,'_customer_user','4'),(10,17,'_billing_email','pieternel.brinkerink4@kpnmail.nl'),(11,17,'_billing_first_name','Pieternel'),(12,17,'_billing_last_name','Brinkerink'),(13,17,'_billing_phone','+31 6 2774 9768'),(14,17,'_billing_address_1','Keizersgracht 4'),(15,17,'_billing_postcode','1003 AB'),(16,17,'_customer_ip_address','84.2.3.4'),(17,17,'_order_total','19.99'),(18,17,'_shipping_address_index','Pieternel Brinkerink Keizersgracht 1 Amsterdam pieternel.brinkerink4@kpnmail.nl'),(19,17,'_order_stock_reduced','yes'),(20,17,'_payment_tokens','a:0:{}'),(21,18,'_customer_user','1'),(22,18,'_billing_email','fenneke.oosterhuis1@gmx.de'),(23,18,'_billing_first_name','Fenneke'),(24,18,'_billing_last_name','Oosterhuis'),(25,18,'_billing_phone','+31 6 9216 2853'),(26,18,'_billing_address_1','Keizersgracht 5'),(27,18,'_billing_postcode','1004 AB'),(28,18,'_customer_ip_address','84.2.4.5'),(29,18,'_order_total','19.99'),(30,18,'_shipping_address_index','Fenneke Oosterhuis Keizersgracht 1 Amsterdam fenneke.oosterhuis1@gmx.de'),(31,18,'_order_stock_reduced','yes'),(32,18,'_payment_tokens','a:0:{}');
INSERT INTO `wp_options` VALUES (1,'siteurl','https://shop.example.com','yes'),(2,'blogname','Shop','yes'),(3,'admin_email','owner.oosterhuis@ziggo.nl','yes'),(4,'widget_text','a:2:{i:2;a:3:{s:5:\"title\";s:7:\"Contact\";s:4:\"text\";s:31:\"Mail fenneke.oosterhuis1@gmx.de\";s:6:\"filter\";b:1;}s:12:\"_multiwidget\";i:1;}','yes'),(5,'woocommerce_store_address','Keizersgracht 1','yes'),(6,'_transient_wc_report','{\"customer\":{\"email\":\"fenneke.oosterhuis1@gmx.de\",\"name\":\"Fenneke Oosterhuis\"},\"total\":12}','yes');
/*!40014 SET UNIQUE_CHECKS=@OLD_UNIQUE_CHECKS */;
