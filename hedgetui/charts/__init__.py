"""hedgetui.charts"""
