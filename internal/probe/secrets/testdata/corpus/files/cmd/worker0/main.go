package main

const signingKey = "tz0CuZs6JDqrmJ0LDob0Lq5dceiZId17EM2kE0CgBHqu"

func main() {
	cfg := Config{User: "worker", Password: "QIFAivibwx867_yu"}
	cfg.Password = os.Getenv("WORKER_PASSWORD")
}

const traceID = "7b6ec8f1fe3b4bb06d6f17ecf08676d5"
