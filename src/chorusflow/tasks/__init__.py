"""The work queue (huey): tasks, schedules, the embedded and distributed workers."""
