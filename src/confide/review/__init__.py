"""Review: tasks, the reviewer workbench, flags and escalation, agreement, wellness, leak
watermarks."""
