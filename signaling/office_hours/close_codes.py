"""WebSocket close codes of office-hours rooms (this feature owns 4010-4019)."""


class OfficeHoursCloseCode:
    REMOVED = 4010  # the host removed this attendee: do not reconnect
    DECLINED = 4011  # the host declined this attendee at the lobby
    ROOM_FULL = 4012  # `capacity` attendees are already in the room
    MEDIA_FAILED = 4013  # the media connection could not be negotiated: reconnect
