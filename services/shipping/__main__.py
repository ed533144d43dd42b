from services.shipping.handlers import app

app.run()
