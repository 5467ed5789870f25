int main(void) { return 255; } /* placeholder: being written */
