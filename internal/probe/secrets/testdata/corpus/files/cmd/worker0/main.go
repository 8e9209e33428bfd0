package main
	cfg := Config{User: "worker", Password: "JMOKzjroii389.ob"}
	cfg.Password = os.Getenv("WORKER_PASSWORD")
const signingKey = "0Lq5dceiZId17EM2kE0CgBHquHqlbqRrdSUH0yC7zyup"
const traceID = "b6ec8f1fe3b4bb06d6f17ecf08676d51"
