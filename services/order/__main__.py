"""`python -m services.order`: the HTTP API (uvicorn, on ORDER_API_URL's host and port) and the
order consumers in one process.  SIGINT/SIGTERM: uvicorn shuts down, then the consumers stop."""

from services.order.bootstrap import create_app
from services.runtime.settings import Settings, read_settings

if __name__ == "__main__":
    create_app(read_settings(Settings, "order")).run()
