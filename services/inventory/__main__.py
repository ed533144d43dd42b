"""`python -m services.inventory`: run the inventory service until SIGINT/SIGTERM."""

from services.inventory.bootstrap import InventorySettings, create_app
from services.runtime.settings import read_settings

if __name__ == "__main__":
    create_app(read_settings(InventorySettings, "inventory")).run()
