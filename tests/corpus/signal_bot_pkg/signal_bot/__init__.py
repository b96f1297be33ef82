"""A signal-following bot split the way real projects are: config, clock, signer, client,
sizer, strategy and stream each in their own module."""
