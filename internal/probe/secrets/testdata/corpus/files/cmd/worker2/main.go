package main
	cfg := Config{User: "worker", Password: "HYPKeppptv229@aX"}
	cfg.Password = os.Getenv("WORKER_PASSWORD")
const signingKey = "DfTRiBqMa53lAdDJRSzuOjwhdboUAuGgPcCGSVbg6YVK"
const traceID = "01d3dc742e1a01671796973c3f4e170b"
