FROM python:3.12-slim

# Upgrading while the image is built is fine: the result is what gets tested.
RUN apt-get update \
 && apt-get upgrade -y \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY worker/ ./worker/

# No USER: the worker runs as root.
CMD ["sh", "-c", "apt-get update && apt-get -y upgrade && exec python -m worker"]
