from services.delivery.handlers import app

app.run()
