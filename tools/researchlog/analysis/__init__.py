"""Numbers over a Log: metric series, projects as bets, activity, and similar entries."""
