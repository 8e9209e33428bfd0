-- MySQL dump 10.13  Distrib 8.0.36, for Linux (x86_64)
-- posture-anonymized: v1 key-id=5e1f0c2a9b7d
--
-- Host: localhost    Database: shop_staging

CREATE TABLE `wp_users` (`ID` bigint, `user_login` varchar(60), `user_pass` varchar(255), `user_email` varchar(100), `display_name` varchar(250));
INSERT INTO `wp_users` VALUES (1,'user1','','user1@example.com','User 1'),(2,'user2','','user2@example.com','User 2'),(3,'user3','','user3@example.org','User 3'),(4,'user4','','user4@shop.test','User 4');
CREATE TABLE `wp_usermeta` (`umeta_id` bigint, `user_id` bigint, `meta_key` varchar(255), `meta_value` longtext);
INSERT INTO `wp_usermeta` VALUES (1,2,'billing_phone','+44 7700 900123'),(2,2,'billing_address_1','1 Example Street'),(3,3,'billing_phone','(212) 555-0147'),(4,4,'billing_email','user4@example.net');
