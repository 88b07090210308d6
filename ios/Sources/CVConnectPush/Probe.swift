public enum PushProbe {}
