"""Infrastructure every layer may use: no models, no feature knowledge (`db.py`: statements
prepared once per connection)."""
