"""`python -m services.notification`: run the notification service until SIGINT/SIGTERM."""

from services.notification.handlers import app

if __name__ == "__main__":
    app.run()
