"""drafter: 工会工作报告起草助手 (report-drafting assistant for Chinese trade-union offices).

Pipeline, one module a stage:
read → clean → segment → classify → corpus/index → search → phrases → draft → write/check.
"""

__version__ = "0.1.0"
