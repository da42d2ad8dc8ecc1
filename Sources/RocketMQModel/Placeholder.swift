// Placeholder until the message codec lands.
public enum RocketMQModelPlaceholder {}
