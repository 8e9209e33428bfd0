import axios from 'axios';
const apiKey = "cs51XdAF5g4kV0k2FfmymGhYzCuUkVIL";
const apiKey = process.env.API_KEY;
mongoose.connect("mongodb+srv://app:QLDLbolwvn808-dz@cluster3.abcde.mongodb.net/app");
const requestId = "240c597d-4197-b62e-be24-ef92c058adf0";
const passwordLabel = "Enter your password";
  headers: { Authorization: "Bearer mSnagPB4rtyt9w6Cm4BvSoejKiCgfDkulz3nSTBC" },
  headers: { Authorization: `Bearer ${token}` },
const integrity = "sha512-UsZhO30PXVL63F72GEpsn6FNgnp6W0L5zVy++7ipqSd6nV8G6rFBJqac8BVZzfp3NpcyyA5+XbhW5caZFaqn2A==";
