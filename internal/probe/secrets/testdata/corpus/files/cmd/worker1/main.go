package main

const signingKey = "dMpkyvZitNlvftFoJtrmqVcIfTIVx8e3g75lKLTOBLJs"

func main() {
	cfg := Config{User: "worker", Password: "VSPOfrvcrz241#Xl"}
	cfg.Password = os.Getenv("WORKER_PASSWORD")
}

const traceID = "40d5745ef22cc3f59aa75a80fa67fa4f"
