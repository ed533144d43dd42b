from services.payment.handlers import app

app.run()
