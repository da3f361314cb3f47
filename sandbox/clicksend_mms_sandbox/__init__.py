"""Local, stateful ClickSend MMS sandbox."""
