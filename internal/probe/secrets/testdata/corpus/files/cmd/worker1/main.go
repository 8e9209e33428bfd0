package main
	cfg := Config{User: "worker", Password: "THFMkzejtf514.oJ"}
	cfg.Password = os.Getenv("WORKER_PASSWORD")
const signingKey = "trmqVcIfTIVx8e3g75lKLTOBLJs820QKE9Dk2J4QfJZO"
const traceID = "4832540d5745ef22cc3f59aa75a80fa6"
