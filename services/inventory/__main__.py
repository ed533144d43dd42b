from services.inventory.handlers import app

app.run()
