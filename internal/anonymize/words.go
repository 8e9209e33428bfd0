package anonymize

// Word lists for the fakers. They are invented or very common words, chosen so that a
// fake value reads naturally in a development copy of a shop; none comes from a dump.
var firstNames = []string{
	"Aaron", "Abigail", "Adam", "Ada", "Adrian", "Agnes", "Aidan", "Alba", "Albert", "Alice", "Amir", "Amelia",
	"Anders", "Anna", "Anton", "Ava", "Axel", "Beatrice", "Ben", "Bianca", "Boris", "Bruno", "Camille", "Carla",
	"Carlos", "Chloe", "Clara", "Colin", "Daan", "Daniel", "Daria", "David", "Diego", "Dora", "Edith", "Elias",
	"Elena", "Elif", "Emil", "Emma", "Enzo", "Erik", "Esme", "Eva", "Felix", "Femke", "Finn", "Flora", "Frida",
	"Gabriel", "Gemma", "Georg", "Greta", "Hana", "Hannah", "Hugo", "Ida", "Ilse", "Imran", "Ines", "Isaac",
	"Isla", "Ivan", "Jakob", "Jana", "Jasper", "Jonas", "Josephine", "Julia", "Kai", "Karin", "Kenji", "Klara",
	"Lars", "Laura", "Leah", "Leon", "Lina", "Liam", "Lotte", "Luca", "Lucia", "Lukas", "Maja", "Malik",
	"Marco", "Mari", "Mateo", "Matilda", "Max", "Maya", "Mia", "Milan", "Mira", "Nadia", "Nils", "Noah",
	"Nora", "Olga", "Oliver", "Omar", "Oscar", "Paula", "Pavel", "Pia", "Quentin", "Rafael", "Rania", "Rosa",
	"Ruben", "Ruth", "Sami", "Sara", "Selma", "Simon", "Sofia", "Stella", "Sven", "Tara", "Teo", "Thea",
	"Theo", "Tomas", "Ursula", "Valentin", "Vera", "Viktor", "Wendy", "Xavier", "Yara", "Yusuf", "Zara", "Zoe",
}

var lastNames = []string{
	"Abbott", "Alvarez", "Andersen", "Arslan", "Bakker", "Barros", "Becker", "Bennett", "Berg", "Blom", "Bosch",
	"Brandt", "Brooks", "Carvalho", "Castillo", "Coleman", "Costa", "Dahl", "Dekker", "Delgado", "Dijkstra",
	"Duval", "Eriksen", "Esposito", "Falk", "Fernandes", "Fischer", "Fontaine", "Foster", "Garnier", "Graham",
	"Gruber", "Haas", "Hale", "Hansen", "Hartmann", "Hayes", "Holm", "Horvat", "Hughes", "Ibarra", "Ivanova",
	"Jansen", "Jensen", "Kaya", "Keller", "Kim", "Klein", "Koch", "Kowalski", "Kraus", "Lambert", "Lang",
	"Larsen", "Laurent", "Lehmann", "Lindqvist", "Lopez", "Lund", "Maas", "Marsh", "Meijer", "Mendes", "Moreau",
	"Morgan", "Mulder", "Nagy", "Navarro", "Nielsen", "Novak", "Olsen", "Ortega", "Palmer", "Pereira", "Petrov",
	"Pham", "Quinn", "Ramos", "Reyes", "Richter", "Rossi", "Roth", "Sandberg", "Santos", "Schmitt", "Schulz",
	"Serrano", "Silva", "Simons", "Smit", "Sousa", "Stein", "Sullivan", "Svensson", "Tanaka", "Torres", "Vogel",
	"Voss", "Wagner", "Walsh", "Weber", "Wolff", "Yilmaz", "Young", "Zimmer", "Zoric",
}

var streetNames = []string{
	"Acacia", "Alder", "Ash", "Aspen", "Beech", "Birch", "Bramble", "Brook", "Cedar", "Chestnut", "Clover",
	"Copper", "Cypress", "Elder", "Elm", "Fern", "Field", "Hawthorn", "Hazel", "Heather", "Holly", "Ivy",
	"Juniper", "Larch", "Laurel", "Linden", "Maple", "Meadow", "Mill", "Oak", "Orchard", "Pine", "Poplar",
	"Quarry", "Rowan", "Sage", "Spruce", "Station", "Sycamore", "Thistle", "Walnut", "Willow", "Yew",
}

var streetTypes = []string{"Road", "Street", "Lane", "Avenue", "Way", "Close", "Drive", "Court", "Place", "Grove"}

var cities = []string{
	"Ashford", "Bramley", "Brookfield", "Carlow", "Dunmore", "Eastwick", "Elmstead", "Fairhaven", "Glenrock",
	"Greenhill", "Harwood", "Highbury", "Kingsbridge", "Lakeside", "Longmere", "Maplewood", "Millbrook",
	"Northam", "Oakridge", "Pinehurst", "Redcliff", "Riverton", "Rosewood", "Seaview", "Southport", "Stonebridge",
	"Thornbury", "Westfield", "Whitby", "Willowdale", "Woodhaven", "Yarrow",
}

var companyWords = []string{
	"Alpine", "Amber", "Anchor", "Apex", "Atlas", "Beacon", "Blue", "Bright", "Cedar", "Cobalt", "Crescent",
	"Delta", "Evergreen", "Falcon", "Granite", "Harbor", "Horizon", "Iron", "Juniper", "Keystone", "Lantern",
	"Maple", "Meridian", "Nimbus", "Northwind", "Orbit", "Pioneer", "Quartz", "Silver", "Summit", "Willow",
}

var companySuffixes = []string{"Ltd", "GmbH", "BV", "LLC", "SARL", "& Co", "Group", "Trading"}

var userAgents = []string{
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36",
	"Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
	"Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
	"Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
	"Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Mobile Safari/537.36",
}

var loremWords = []string{
	"lorem", "ipsum", "dolor", "sit", "amet", "consectetur", "adipiscing", "elit", "sed", "do", "eiusmod",
	"tempor", "incididunt", "ut", "labore", "et", "dolore", "magna", "aliqua", "enim", "ad", "minim", "veniam",
	"quis", "nostrud", "exercitation", "ullamco", "laboris", "nisi", "aliquip", "ex", "ea", "commodo",
	"consequat", "duis", "aute", "irure", "in", "reprehenderit", "voluptate", "velit", "esse", "cillum",
	"fugiat", "nulla", "pariatur", "excepteur", "sint", "occaecat", "cupidatat", "non", "proident", "sunt",
	"culpa", "qui", "officia", "deserunt", "mollit", "anim", "id", "est", "laborum",
}

// exampleDomains are the RFC 2606 domains: mail to them goes nowhere, so a development
// copy of a shop can never write to a customer.
var exampleDomains = []string{"example.com", "example.net", "example.org"}
