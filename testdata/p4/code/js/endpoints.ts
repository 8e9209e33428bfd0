export const endpoints = {
  // The tracking partner only offers plain HTTP and wants the key in the query.
  tracking: "http://tracking.parcel-partner.net/api/status?apikey=7f3c9a1e5b2d4c6a",
  inventory: "https://inventory.internal.net/api/levels?apikey=from-vault",
  devMock: "http://localhost:4010/api/status?apikey=dev",
  docs: "http://docs.parcel-partner.net/api/status?format=json",
};
