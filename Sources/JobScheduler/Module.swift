// Module JobScheduler.
