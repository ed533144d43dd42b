"""`python -m services.inventory`: run the inventory service until SIGINT/SIGTERM."""

from services.inventory.bootstrap import InventorySettings, create_app

if __name__ == "__main__":
    create_app(InventorySettings()).run()
