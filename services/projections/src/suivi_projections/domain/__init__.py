"""Pure rules shared by every side: shipments, orders, watch (stall/late) rules, transit model."""
