-- Seed data for local development: every address is at a reserved domain and every card
-- is a payment provider's published test number.
CREATE TABLE `customers` (`id` int, `name` varchar(100), `email` varchar(100), `phone` varchar(30), `card_number` varchar(30));
INSERT INTO `customers` VALUES
(1,'Alice Example','alice@example.com','+1 (212) 555-0101','4111 1111 1111 1111'),
(2,'Bob Example','bob@example.org','+44 20 7946 0321','4242424242424242'),
(3,'Carol Example','carol@shop.test','+44 7700 900456','5555 5555 5555 4444'),
(4,'Dave Example','dave@yourcompany.com','(212) 555-0199','378282246310005'),
(5,'Erin Example','erin@acme.example','01632 960123','6011111111111117');
INSERT INTO `notifications` (`id`, `sender`) VALUES (1,'noreply@tuinwinkel-degroen.nl'),(2,'wordpress@tuinwinkel-degroen.nl');
