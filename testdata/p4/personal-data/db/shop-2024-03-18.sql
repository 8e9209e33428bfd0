-- MySQL dump 10.13  Distrib 8.0.36, for Linux (x86_64)
--
-- Host: db-prod-1.internal    Database: shop_live
-- ------------------------------------------------------
-- Server version	8.0.36

/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;
/*!40101 SET NAMES utf8mb4 */;

--
-- Table structure for table `wp_users`
--

DROP TABLE IF EXISTS `wp_users`;
CREATE TABLE `wp_users` (
  `ID` bigint unsigned NOT NULL AUTO_INCREMENT,
  `user_login` varchar(60) NOT NULL DEFAULT '',
  `user_pass` varchar(255) NOT NULL DEFAULT '',
  `user_nicename` varchar(50) NOT NULL DEFAULT '',
  `user_email` varchar(100) NOT NULL DEFAULT '',
  `user_url` varchar(100) NOT NULL DEFAULT '',
  `user_registered` datetime NOT NULL DEFAULT '0000-00-00 00:00:00',
  `user_activation_key` varchar(255) NOT NULL DEFAULT '',
  `user_status` int NOT NULL DEFAULT '0',
  `display_name` varchar(250) NOT NULL DEFAULT '',
  PRIMARY KEY (`ID`),
  KEY `user_login_key` (`user_login`),
  KEY `user_email` (`user_email`)
) ENGINE=InnoDB AUTO_INCREMENT=5 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_520_ci;

LOCK TABLES `wp_users` WRITE;
/*!40000 ALTER TABLE `wp_users` DISABLE KEYS */;
INSERT INTO `wp_users` VALUES (1,'shopadmin','$P$BnbKUVKwIdCQMZZvTC4xl9.aMPdS0uI','shopadmin','admin@tuinwinkel-degroen.nl','','2021-02-11 09:14:02','',0,'shopadmin'),(2,'marieke.vos','$wp$2y$10$imjbQYdUPuhoVX87ndVKYVgK2oZXCgWHqNSQXiW8/ivajTiBetHGr','marieke-vos','marieke.vos@ziggo.nl','','2023-05-02 18:40:11','',0,'Marieke Vos'),(3,'thomas.brandt','$P$BVOblXb7/qC.NLEDfR7NsmZs2VoaDJm','thomas-brandt','t.brandt1987@web.de','','2023-08-19 07:02:45','',0,'Thomas Brandt'),(4,'claire.moreau','$wp$2y$10$WsiMnQJEVEAmWXK9qmZzqeciYGchdYlqd7xI8b2qdATAp.G4amI5i','claire-moreau','claire.moreau@orange.fr','','2024-01-07 21:33:09','',0,'Claire Moreau');
/*!40000 ALTER TABLE `wp_users` ENABLE KEYS */;
UNLOCK TABLES;

--
-- Table structure for table `wp_usermeta`
--

DROP TABLE IF EXISTS `wp_usermeta`;
CREATE TABLE `wp_usermeta` (
  `umeta_id` bigint unsigned NOT NULL AUTO_INCREMENT,
  `user_id` bigint unsigned NOT NULL DEFAULT '0',
  `meta_key` varchar(255) DEFAULT NULL,
  `meta_value` longtext,
  PRIMARY KEY (`umeta_id`)
) ENGINE=InnoDB AUTO_INCREMENT=40 DEFAULT CHARSET=utf8mb4;

LOCK TABLES `wp_usermeta` WRITE;
INSERT INTO `wp_usermeta` VALUES (1,1,'nickname','shopadmin'),(2,1,'wp_capabilities','a:1:{s:13:\"administrator\";b:1;}'),(10,2,'billing_first_name','Marieke'),(11,2,'billing_last_name','Vos'),(12,2,'billing_address_1','Oudegracht 214'),(13,2,'billing_city','Utrecht'),(14,2,'billing_postcode','3511 NX'),(15,2,'billing_phone','+31 6 4821 7730'),(16,2,'billing_email','marieke.vos@ziggo.nl'),(20,3,'billing_first_name','Thomas'),(21,3,'billing_address_1','Lindenstraße 41'),(22,3,'billing_city','Köln'),(23,3,'billing_postcode','50674'),(24,3,'billing_phone','0221 4470 193'),(25,3,'billing_email','t.brandt1987@web.de'),(30,4,'billing_address_1','18 rue des Tanneurs'),(31,4,'billing_city','Lyon'),(32,4,'billing_phone','06 72 18 45 90'),(33,4,'billing_email','claire.moreau@orange.fr'),(34,4,'session_tokens','a:1:{s:64:\"0c5d2f9e7a1b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5\";a:4:{s:10:\"expiration\";i:1705000000;s:2:\"ip\";s:12:\"81.204.17.92\";s:2:\"ua\";s:11:\"Mozilla/5.0\";s:5:\"login\";i:1704800000;}}');
UNLOCK TABLES;

--
-- Table structure for table `wp_wc_order_addresses`
--

DROP TABLE IF EXISTS `wp_wc_order_addresses`;
CREATE TABLE `wp_wc_order_addresses` (
  `id` bigint unsigned NOT NULL AUTO_INCREMENT,
  `order_id` bigint unsigned NOT NULL,
  `address_type` varchar(20) DEFAULT NULL,
  `first_name` text,
  `last_name` text,
  `company` text,
  `address_1` text,
  `address_2` text,
  `city` text,
  `state` text,
  `postcode` text,
  `country` text,
  `email` varchar(320) DEFAULT NULL,
  `phone` varchar(100) DEFAULT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

LOCK TABLES `wp_wc_order_addresses` WRITE;
INSERT INTO `wp_wc_order_addresses` VALUES (1,1041,'billing','Marieke','Vos','','Oudegracht 214','','Utrecht','','3511 NX','NL','marieke.vos@ziggo.nl','+31 6 4821 7730'),(2,1041,'shipping','Marieke','Vos','','Oudegracht 214','','Utrecht','','3511 NX','NL',NULL,NULL),(3,1042,'billing','Thomas','Brandt','','Lindenstraße 41','','Köln','','50674','DE','t.brandt1987@web.de','+49 221 4470193'),(4,1043,'billing','Graham','Pritchard','Pritchard & Daughters Ltd','27 Kingsley Road','','Bristol','','BS7 9QE','GB','g.pritchard@btinternet.com','+44 7911 452318');
UNLOCK TABLES;

--
-- Dumping data for table `wp_postmeta`
--

LOCK TABLES `wp_postmeta` WRITE;
INSERT INTO `wp_postmeta` (`meta_id`, `post_id`, `meta_key`, `meta_value`) VALUES (501,988,'_billing_email','h.jansen@kpnmail.nl'),(502,988,'_billing_phone','06-21873390'),(503,988,'_order_total','59.90'),(504,988,'_customer_ip_address','77.163.102.14');
UNLOCK TABLES;

LOCK TABLES `wp_posts` WRITE;
INSERT INTO `wp_posts` (`ID`, `post_author`, `post_date`, `post_title`, `post_status`, `post_type`) VALUES (988,1,'2022-11-30 14:12:00','Order &ndash; November 30, 2022','wc-completed','shop_order'),(1012,1,'2023-02-01 10:00:00','Spring catalogue 2.1.4 released 2023-02-01','publish','post');
UNLOCK TABLES;
/*!40101 SET CHARACTER_SET_CLIENT=@OLD_CHARACTER_SET_CLIENT */;

-- Dump completed on 2024-03-18  2:00:01
