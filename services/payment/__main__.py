"""`python -m services.payment`: run the payment service until SIGINT/SIGTERM."""

from services.payment.bootstrap import PaymentSettings, create_app

if __name__ == "__main__":
    create_app(PaymentSettings()).run()
