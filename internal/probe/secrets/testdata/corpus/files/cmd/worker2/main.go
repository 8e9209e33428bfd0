package main

const signingKey = "FFNQl3kMGaXDfTRiBqMa53lAdDJRSzuOjwhdboUAuGgP"

func main() {
	cfg := Config{User: "worker", Password: "BOQWxadzxs098!Ah"}
	cfg.Password = os.Getenv("WORKER_PASSWORD")
}

const traceID = "dc742e1a01671796973c3f4e170bdf5d"
