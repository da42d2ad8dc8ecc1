import ArgumentParser

RocketMQCommand.main()
