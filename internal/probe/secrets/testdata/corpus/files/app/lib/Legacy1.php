$db_pass = "OQNXomdegm593*4K";
$password = $_POST["password"];
$hash = '$2y$10$DAhEOpv6Ra.Jhe/OUJDFelQ9Dnu98rxeRp8H97J9/77ZIVU/OLS6m';
